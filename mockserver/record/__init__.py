"""``creatify-mock record``: a recording proxy in front of one target (the real API, or another mock)."""
