"""Payment message screening: ISO 20022 (pacs.008, pacs.009, pain.001) and SWIFT MT103/MT202 COV.

A payment is a message, not a name: `iso20022` and `mt` take it apart into
screenable fields with their paths (`model`), `screen` checks every field
(names, BICs, countries, free text) against the serving index and the
sanctioned-jurisdiction table, and decides pass / hold / block.
"""
