"""Statistics over sufficient statistics; no I/O and no compute imports."""
