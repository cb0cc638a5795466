"""dataasset: 数据资产管理平台."""

__version__ = "0.1.0"
