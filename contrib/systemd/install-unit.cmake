# cmake --install: contrib/systemd/tmond.service into
# <prefix>/lib/systemd/system with /usr/bin/ and /etc/tmon/ rewritten to
# the bin and sysconf directories of the install's prefix (GNUInstallDirs:
# prefix /usr keeps /etc).  Set by the install(CODE) before it:
# TMON_UNIT_SRC, TMON_BINDIR, TMON_SYSCONFDIR.
if(IS_ABSOLUTE "${TMON_BINDIR}")
  set(bindir "${TMON_BINDIR}")
else()
  set(bindir "${CMAKE_INSTALL_PREFIX}/${TMON_BINDIR}")
endif()
if(IS_ABSOLUTE "${TMON_SYSCONFDIR}")
  set(sysconfdir "${TMON_SYSCONFDIR}")
elseif(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(sysconfdir "/etc")
else()
  set(sysconfdir "${CMAKE_INSTALL_PREFIX}/${TMON_SYSCONFDIR}")
endif()
file(READ "${TMON_UNIT_SRC}" unit)
string(REPLACE "/usr/bin/tmond" "${bindir}/tmond" unit "${unit}")
string(REPLACE "/etc/tmon/" "${sysconfdir}/tmon/" unit "${unit}")
set(dest "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
message(STATUS "Installing: ${dest}/tmond.service")
file(MAKE_DIRECTORY "${dest}")
file(WRITE "${dest}/tmond.service" "${unit}")
