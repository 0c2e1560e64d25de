"""HTTP plumbing shared by every area: bodies, clients, CORS, the error envelope."""
