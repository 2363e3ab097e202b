"""The only package that talks to AWS: PynamoDB items, boto3 clients and the repositories.

Items never leave this package; repositories return `shared.claims` models.
"""
