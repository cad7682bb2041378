"""Paper fallback sheets: what staff print before they need it, for when SiteSys is down."""
