"""Syndication over plain HTTP: feeds in Atom, RSS 2.0, JSON Feed and ninjs, and ninjs articles."""
