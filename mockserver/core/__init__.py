"""The core: jobs and their lifecycle on an injected clock, the store, scheduler, accounts, rate limits, journal
records, scenario matching and state snapshots. No web framework here (``make lint`` checks it)."""
