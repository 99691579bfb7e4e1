"""The operator's preflight: what a stamp must offer before the run creates anything.

One pass over the stamp (``run.preflight``), then one summary. Each check family has its module:
``subscription`` (exists, Enabled), ``providers`` (registered, and the api-versions each profile
pins, read from the stamp's own provider documents), ``marketplace`` (images and VM sizes) and
``quota`` (compute usages). ``model`` holds the findings (plain data: they cross to xdist workers),
``facts`` the stamp facts every report shows, ``plugin`` the hooks. Requests are plain azure-core
pipeline GETs through the run's transport and credential (``arm``), so nothing depends on a
management SDK generation.
"""
