"""Taxpayer registration (plan action B4, online acceptance): the registry and its public check."""
