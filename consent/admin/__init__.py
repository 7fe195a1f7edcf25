"""The support console, one module per area: accounts and profiles with their choices (`accounts`), the consent
trail (`events`), and the jurisdiction rules and cookie registry (`rules`). Importing the package registers them
(Django's admin autodiscovery imports `consent.admin`)."""

from consent.admin import accounts, events, rules

__all__ = ["accounts", "events", "rules"]
