"""How the browser tests and the dashboard benchmark start Debian's Chromium (Playwright's own
browser download cannot work here). Without the background-networking flags Chromium keeps
trying to reach Google's hosts, which this machine's closed network refuses."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
