"""Catalog: asset cards (数据资产卡片), the catalog (目录) and the register (台账)."""
