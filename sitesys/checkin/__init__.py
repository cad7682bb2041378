"""Check-in and the visit lifecycle: waiting, in booth, aftercare, left."""
