# tr-enrich's blocklists are matched by tr-ioc-check's engine (lib/match).
target_link_libraries(tr_intel PUBLIC tr_match)
