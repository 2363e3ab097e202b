"""Upload GOV.UK Frontend, accessible-autocomplete and our own assets to the assets bucket.

`make deploy-assets ASSETS_BUCKET=<AssetsBucketName output>`; the keys are the paths after /assets/,
the same mapping the local stack serves.
"""

from __future__ import annotations

import argparse

import boto3

from infrastructure.local.assets import asset_files, content_type


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bucket", required=True)
    args = parser.parse_args()
    s3 = boto3.client("s3")
    files = asset_files()
    for key, path in sorted(files.items()):
        s3.upload_file(
            str(path),
            args.bucket,
            key,
            ExtraArgs={"ContentType": content_type(path), "CacheControl": "public, max-age=3600"},
        )
    print(f"uploaded {len(files)} assets to s3://{args.bucket}/")


if __name__ == "__main__":
    main()
