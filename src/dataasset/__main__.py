from dataasset.cli import app

app()
