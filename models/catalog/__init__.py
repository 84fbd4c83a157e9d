"""The catalogue: products, their variants and stock."""
