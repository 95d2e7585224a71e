"""What staff do with a payment after it was made: refunds and receipt resends.

Nothing here reads the request; views pass in what staff submitted.
"""
