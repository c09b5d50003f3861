"""RAM's wire layer, one module per domain; :mod:`localcloud.ram.responses` loads them all."""
