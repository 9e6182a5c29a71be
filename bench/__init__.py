"""``make bench``: throughput, latency and memory of the mock next to Prism and WireMock (not part of make test)."""
