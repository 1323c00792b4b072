"""The HTTP API: thin routers, one module per resource; the work lives in the services they call."""
