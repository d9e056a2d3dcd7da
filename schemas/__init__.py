"""Record types and Arrow schemas of voicescrub, declared once."""
