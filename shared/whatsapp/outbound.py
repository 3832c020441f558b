"""What we send: text, reply buttons, a list, or an approved template."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str = Field(max_length=256)
    title: str = Field(max_length=20)


class ListRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str = Field(max_length=200)
    title: str = Field(max_length=24)
    description: str | None = Field(default=None, max_length=72)


class Template(BaseModel):
    """An approved message template; the only thing allowed outside the 24-hour window."""

    model_config = ConfigDict(frozen=True)
    name: str
    language: str = "en_US"
    body_params: tuple[str, ...] = ()


class ProductSection(BaseModel):
    """Items of the tenant's Meta Commerce catalog (retailer ids = SKUs) under one heading."""

    model_config = ConfigDict(frozen=True)
    title: str = Field(max_length=24)
    skus: tuple[str, ...] = Field(min_length=1, max_length=30)


class OutboundMessage(BaseModel):
    """One reply. `buttons` (≤ 3) or `rows` (≤ 10, with `list_button`) make it interactive;
    `products` (with `catalog_id`) makes it a WhatsApp `product` message (one SKU) or a
    `product_list` (≤ 10 sections, ≤ 30 items, with `header`) the customer can add to a cart."""

    model_config = ConfigDict(frozen=True)
    text: str = Field(max_length=4096)
    buttons: tuple[Button, ...] = Field(default=(), max_length=3)
    rows: tuple[ListRow, ...] = Field(default=(), max_length=10)
    list_button: str = "Choose"
    template: Template | None = None
    catalog_id: str | None = None
    products: tuple[ProductSection, ...] = Field(default=(), max_length=10)
    header: str = Field(default="", max_length=60)

    def document(self) -> dict[str, Any]:
        """The fields stored on the outbound message document."""
        return {
            "text": self.text,
            "type": "template"
            if self.template
            else ("interactive" if self.buttons or self.rows or self.products else "text"),
            "buttons": [b.model_dump() for b in self.buttons],
            "rows": [r.model_dump() for r in self.rows],
            "template": self.template.model_dump() if self.template else None,
            **({"products": [p.model_dump() for p in self.products]} if self.products else {}),
        }
