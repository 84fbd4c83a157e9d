"""The web adapter: the storefront (HTML), the public order intake and the REST API."""
