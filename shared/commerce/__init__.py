"""Orders, bookings and the stock and seats they hold (see README "Orders and bookings")."""
