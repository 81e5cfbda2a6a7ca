"""Privacy: erasure of a person everywhere the product keeps them."""
