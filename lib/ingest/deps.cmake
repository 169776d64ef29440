# tr_ingest reads WildFire report XML with pugixml (Debian: libpugixml-dev).
pkg_check_modules(PUGIXML REQUIRED IMPORTED_TARGET pugixml)
target_link_libraries(tr_ingest PUBLIC PkgConfig::PUGIXML)
