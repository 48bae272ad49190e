"""Foundation layer: errors, units, CRS policy, input checks, atomic files, optional imports.

Nothing here imports any other part of :mod:`habitat`; every other layer may
import from here. One place for each unit conversion (:mod:`habitat.core.units`),
each CRS decision (:mod:`habitat.core.crs`) and each shared input check
(:mod:`habitat.core.validation`); the column contracts shared by analysis and
presentation live in :mod:`habitat.core.tables`.
"""
