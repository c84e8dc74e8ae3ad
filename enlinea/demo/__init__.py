"""Demo data: a few realistic members for trying the product, and bulk data for benchmarks."""
