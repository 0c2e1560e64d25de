"""The moderators' side: sessions and the admin API."""
