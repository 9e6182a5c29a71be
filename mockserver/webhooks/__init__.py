"""Webhooks: ordered per-job delivery with retries, backoff, signatures, deliberate faults and a delivery log."""
