# ruff: noqa: E501  (one table row per line reads best for a data file)
"""Write the demo shop's catalog: `examples/demo_catalog.xlsx` and its CSV twin.

    .venv/bin/python examples/make_demo_catalog.py

A clothing-and-lifestyle shop ("Demo Outfitters") with ~50 products, a few bookable services
whose slots are written as weekdays (so they roll forward by themselves), and the messy cells a
real sheet has: `$1,299.00`, `1.299,00 €`, `free`, `5 left`, `10+`, `out of stock`, blanks,
stray spaces, a blank row, and one deliberately bad row (a price nobody can read).
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADERS = ["SKU", "Product Name", "Category", " Price (USD) ", "Qty", "Description", "Active", "Type", "Slots", "Tags",
           "Restock date"]  # fmt: skip

ROWS: list[list[str]] = [
    ["JKT-001", "Denim Jacket", "Jackets", "$89.00", "14", "Classic blue denim jacket, unisex fit", "yes", "", "", "denim, jacket, blue", ""],
    ["JKT-002", "Leather Biker Jacket", "Jackets", "$1,299.00", "3", "Full-grain leather, quilted lining", "Y", "", "", "leather, jacket", ""],
    ["JKT-003", "Puffer Jacket", "Jackets", "149.99", "out of stock", "Water-repellent, recycled fill", "yes", "", "", "winter, jacket", "2026-12-15"],
    ["JKT-004", "Rain Shell", "Jackets", "$75", "22", "Packable, taped seams", "yes", "", "", "rain, jacket", ""],
    ["JKT-005", "Wool Overcoat", "Jackets", "1.299,00 €", "2", "Italian wool blend, camel", "yes", "", "", "wool, coat", ""],
    ["TOP-001", "White Oxford Shirt", "Shirts", "$45.00", "30", "Slim fit, 100% cotton", "yes", "", "", "shirt, white", ""],
    ["TOP-002", "Flannel Shirt", "Shirts", "$39.50", "5 left", "Red check, brushed cotton", "yes", "", "", "shirt, flannel", ""],
    ["TOP-003", "Linen Shirt", "Shirts", "$55", "10+", "Breathable linen, sand", "yes", "", "", "shirt, linen, summer", ""],
    ["TOP-004", "Basic Tee (3-pack)", "T-Shirts", "$25.00", "120", "Organic cotton, black/white/grey", "yes", "", "", "tee, basics", ""],
    ["TOP-005", "Graphic Tee", "T-Shirts", "$19.99", "  48 ", "  Screen-printed, limited run  ", "yes", "", "", "tee", ""],
    ["TOP-006", "Hoodie", "Sweatshirts", "$59.00", "17", "Heavyweight fleece, charcoal", "yes", "", "", "hoodie", ""],
    ["TOP-007", "Crewneck Sweater", "Knitwear", "$79.00", "4", "Merino wool, navy", "yes", "", "", "sweater, merino", ""],
    ["TOP-008", "Cardigan", "Knitwear", "$85.00", "", "Chunky knit, oatmeal", "yes", "", "", "cardigan", ""],
    ["BTM-001", "Slim Jeans", "Jeans", "$69.00", "26", "Stretch denim, indigo", "yes", "", "", "jeans, denim", ""],
    ["BTM-002", "Relaxed Jeans", "Jeans", "$69.00", "12.0", "Rigid denim, light wash", "yes", "", "", "jeans, denim", ""],
    ["BTM-003", "Chinos", "Trousers", "$54.00", "33", "Cotton twill, khaki", "yes", "", "", "chinos", ""],
    ["BTM-004", "Cargo Pants", "Trousers", "$65.00", "0", "Ripstop, olive", "yes", "", "", "cargo", "2026-12-01"],
    ["BTM-005", "Linen Shorts", "Shorts", "$35.00", "18", "Drawstring waist", "yes", "", "", "shorts, linen, summer", ""],
    ["BTM-006", "Pleated Skirt", "Skirts", "$49.00", "7", "Midi length, black", "yes", "", "", "skirt", ""],
    ["DRS-001", "Summer Dress", "Dresses", "$79.00", "9", "Floral print, viscose", "yes", "", "", "dress, summer", ""],
    ["DRS-002", "Little Black Dress", "Dresses", "$120.00", "5", "Crepe, knee length", "yes", "", "", "dress, evening", ""],
    ["DRS-003", "Wrap Dress", "Dresses", "USD 95", "11", "Jersey, emerald", "yes", "", "", "dress", ""],
    ["SHO-001", "White Sneakers", "Shoes", "$89.00", "21", "Leather low-tops", "yes", "", "", "sneakers, shoes", ""],
    ["SHO-002", "Chelsea Boots", "Shoes", "$149.00", "6", "Suede, tan", "yes", "", "", "boots, shoes", ""],
    ["SHO-003", "Running Shoes", "Shoes", "$119.00", "sold out", "Neutral cushioning", "yes", "", "", "running, shoes", "2026-12-10"],
    ["SHO-004", "Sandals", "Shoes", "45 USD", "15", "Leather straps, cork footbed", "yes", "", "", "sandals, summer", ""],
    ["SHO-005", "Loafers", "Shoes", "$129.00", "3", "Penny loafers, burgundy", "yes", "", "", "loafers, shoes", ""],
    ["ACC-001", "Leather Belt", "Accessories", "$35.00", "40", "Brown, brass buckle", "yes", "", "", "belt", ""],
    ["ACC-002", "Wool Beanie", "Accessories", "$22.00", "55", "Ribbed knit, many colours", "yes", "", "", "beanie, winter", ""],
    ["ACC-003", "Silk Scarf", "Accessories", "£29.00", "8", "Hand-rolled edges", "yes", "", "", "scarf, silk", ""],
    ["ACC-004", "Canvas Tote", "Bags", "$18.00", "60", "Heavy canvas, natural", "yes", "", "", "bag, tote", ""],
    ["ACC-005", "Leather Backpack", "Bags", "$189.00", "2", "Laptop sleeve, 20 L", "yes", "", "", "bag, backpack", ""],
    ["ACC-006", "Sunglasses", "Accessories", "$65.00", "13", "Polarised, tortoiseshell", "yes", "", "", "sunglasses, summer", ""],
    ["ACC-007", "Baseball Cap", "Accessories", "$24.00", "29", "Washed cotton", "yes", "", "", "cap", ""],
    ["ACC-008", "Wallet", "Accessories", "$49.00", "16", "Bifold, RFID-blocking", "yes", "", "", "wallet", ""],
    ["ACC-009", "Watch", "Accessories", "$249.00", "4", "Automatic, 40 mm", "yes", "", "", "watch", ""],
    ["ACC-010", "Socks (5-pack)", "Accessories", "$15.00", "200", "Cotton blend", "yes", "", "", "socks, basics", ""],
    ["HOM-001", "Scented Candle", "Home", "$28.00", "34", "Cedar & fig, 40 h burn", "yes", "", "", "candle, gift", ""],
    ["HOM-002", "Throw Blanket", "Home", "$89.00", "10", "Wool-cashmere blend", "yes", "", "", "blanket, gift", ""],
    ["HOM-003", "Ceramic Mug", "Home", "$16.00", "44", "Stoneware, speckled", "yes", "", "", "mug, gift", ""],
    ["HOM-004", "Linen Napkins (4)", "Home", "$32.00", "", "Stonewashed linen", "no", "", "", "napkins", ""],
    ["BEA-001", "Hand Cream", "Beauty", "$14.00", "70", "Shea butter, unscented", "yes", "", "", "beauty, gift", ""],
    ["BEA-002", "Beard Oil", "Beauty", "$19.00", "23", "Argan & cedarwood", "yes", "", "", "beauty, grooming", ""],
    ["BEA-003", "Eau de Parfum", "Beauty", "$95.00", "6", "Vetiver & bergamot, 50 ml", "yes", "", "", "fragrance, gift", ""],
    ["GFT-001", "Gift Card", "Gifts", "$50.00", "in stock", "Any amount in store; $50 online", "yes", "", "", "gift", ""],
    ["KID-001", "Kids' Raincoat", "Kids", "$39.00", "12", "Reflective trim", "yes", "", "", "kids, rain", ""],
    ["KID-002", "Kids' Sneakers", "Kids", "$45.00", "1", "Velcro straps", "yes", "", "", "kids, shoes", ""],
    ["", "", "", "", "", "", "", "", "", "", ""],
    ["SRV-001", "Alterations & Tailoring", "Services", "$25.00", "", "Hemming, taking in, sleeves (per garment)", "yes", "Service", "Mon 10:00 1/3; Wed 10:00 0/3; Fri 14:00 2/3; Sat 11:00 3/3", "tailoring, alterations", ""],
    ["SRV-002", "Personal Styling Session", "Services", "$60.00", "", "One hour with a stylist, credited to purchases", "yes", "Service", "Tue 16:00 0/1; Thu 16:00 1/1; Sat 10:00 0/2; Sat 14:00 1/2", "styling", ""],
    ["SRV-003", "Shoe Shine & Repair", "Services", "$15", "", "Polish, heel tips, stitching", "yes", "service", "tomorrow 12:00 2/5; Sat 12:00 0/5", "shoes, repair", ""],
    ["SRV-004", "Gift Wrapping", "Services", "free", "", "With a handwritten card", "yes", "Service", "", "gift", ""],
    ["JKT-006", "Suede Jacket", "Jackets", "ask in store", "5", "Deliberately bad row: a price nobody can read", "yes", "", "", "suede", ""],
]  # fmt: skip


# The Info tab: what the assistant answers about the shop itself.
INFO_HEADERS = ["Topic", "Answer"]
INFO = [
    ["Opening hours", "Mon-Sat 10:00-19:00, Sun 12:00-17:00"],
    ["Address", "214 Market Street, Springfield"],
    ["Delivery", "Free delivery over $75; otherwise $6.50, 2-4 working days"],
    ["Returns", "30 days with the receipt, unworn and with tags"],
    ["Payment", "Cards, Apple Pay, Google Pay and cash"],
]


def write(directory: Path = HERE) -> tuple[Path, Path, Path]:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Catalog"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append([cell if cell != "" else None for cell in row])
    info = book.create_sheet("Info")
    info.append(INFO_HEADERS)
    for row in INFO:
        info.append(row)
    xlsx = directory / "demo_catalog.xlsx"
    book.save(xlsx)
    csv_path = directory / "demo_catalog.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(ROWS)
    info_path = directory / "demo_catalog.info.csv"
    with info_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(INFO_HEADERS)
        writer.writerows(INFO)
    return xlsx, csv_path, info_path


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path}")
