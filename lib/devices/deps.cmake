# PAN-OS answers are XML: parsed with pugixml (Debian libpugixml-dev), no DTD processing.
find_package(pugixml REQUIRED)
target_link_libraries(tr_devices PUBLIC pugixml::pugixml)
