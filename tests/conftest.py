"""Shared by every suite: fixtures of the deployed app for the e2e suite."""

pytest_plugins = ["tests.e2e.app_fixtures"]
