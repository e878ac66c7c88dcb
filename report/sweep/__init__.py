"""Sweeps: many variants of one base parameter file built on Dask distributed, then compared in a study.

`spec` reads a sweep file into its variants, `plan` turns them into one task per (variant, step),
`tasks` is what a worker runs (the pipeline's own fingerprints, staging and swaps) and `driver`
connects to a cluster, submits the tasks and reports. Dask only schedules: every result is
written exactly as `latent-report build` writes it.
"""
