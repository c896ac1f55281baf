import AkashExporter

print(BuildInfo.program, BuildInfo.version)
