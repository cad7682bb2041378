"""QR codes for printed slips and posters, drawn as SVG on the server (no script, no request to
anyone else). They hold a public page's address only: never a sample code or anything of a
client.
"""

from __future__ import annotations

import segno


def qr_data_uri(address: str) -> str:
    """An SVG QR code of an address, as a data URI for an <img> (the CSP allows data: images)."""
    return str(segno.make(address, error="m").svg_data_uri(scale=6, border=2))
