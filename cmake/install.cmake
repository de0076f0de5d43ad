# Installs the libraries, the public headers, a pkg-config file and a CMake package config.
include(CMakePackageConfigHelpers)
install(TARGETS webnn webnn_static EXPORT libwebnnTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/webnn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT libwebnnTargets NAMESPACE libwebnn:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libwebnn)
configure_package_config_file(cmake/libwebnn-config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/libwebnn-config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libwebnn)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/libwebnn-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/libwebnn-config.cmake ${CMAKE_CURRENT_BINARY_DIR}/libwebnn-config-version.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libwebnn)
configure_file(cmake/webnn.pc.in ${CMAKE_CURRENT_BINARY_DIR}/webnn.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/webnn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(WNN_BUILD_TOOLS)
  install(TARGETS wnn-info wnn-run wnn-conformance wnn-demo RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
