"""The discovery sample generators, as the tests use them."""

from dataasset.discovery.samples import customer_rows, id_check, mobile, resident_id, write_csv, write_xlsx

__all__ = ["customer_rows", "id_check", "mobile", "resident_id", "write_csv", "write_xlsx"]
