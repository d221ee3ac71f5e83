"""The deploy plan: a Scenario turned into API calls and the queues to watch, as frozen data. Pure."""
