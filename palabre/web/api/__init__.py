"""The public API, version 1 (the contract), its feed and its OpenAPI description."""
