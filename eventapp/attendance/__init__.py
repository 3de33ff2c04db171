"""Émargement and certificates: signed attendance sheets (paper and digital), the
funders' publicity block, and certificates of attendance."""
