"""The probe function deployed to Lambda, and the pure decision it shares with the simulator.

Everything in this package is standard library only: it is zipped as-is into the function.
"""
