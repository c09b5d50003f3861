"""Inbound event sources: HR systems, ticketing tools and Alibaba Cloud message envelopes,
each verified on the raw body and normalised to ``rampart.model.LifecycleEvent``."""
