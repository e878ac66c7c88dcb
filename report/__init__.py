"""latent-report: a reproducible report on the latent space of a convolutional autoencoder.

Notebooks in `analysis/` import what they need from here (`report.stats`, `report.samplers`,
`report.figures`, `report.model`, `report.results`); the command line is `report.cli`.
"""

__version__ = "0.1.0"
