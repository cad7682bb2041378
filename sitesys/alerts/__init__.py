"""Drug alerts: publishing, acknowledgement, the banner, posters, the public page and expiry."""
