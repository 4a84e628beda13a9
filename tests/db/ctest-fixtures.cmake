# Throw-away PostgreSQL and MariaDB servers as CTest fixtures (tests/db/throwaway.sh).
# Included from tests/CMakeLists.txt:  include(db/ctest-fixtures.cmake)
#
# A test that needs a server says
#   set_tests_properties(my_test PROPERTIES FIXTURES_REQUIRED postgres)   # or mariadb
# and finds host, port, user, password, database and CA in
# ${ZAMAN_TEST_DB_DIR}/<backend>/env, either by running under the wrapper
#   add_test(NAME my_test COMMAND ${ZAMAN_DB_WITH_ENV} ${ZAMAN_TEST_DB_DIR}/postgres $<TARGET_FILE:my_test>)
# (ZAMAN_TEST_POSTGRES_PORT etc. then are in its environment) or by reading the
# file named in ZAMAN_TEST_POSTGRES_ENV / ZAMAN_TEST_MYSQL_ENV, which
# zaman_db_test_env() below sets on tests added with add_test. With
# gtest_discover_tests (test names known only at ctest time) pass the same:
#   gtest_discover_tests(store_test PROPERTIES FIXTURES_REQUIRED postgres
#     ENVIRONMENT ZAMAN_TEST_POSTGRES_ENV=${ZAMAN_TEST_DB_DIR}/postgres/env)
set(ZAMAN_TEST_DB_DIR ${CMAKE_BINARY_DIR}/test-db)
set(ZAMAN_DB_WITH_ENV ${CMAKE_CURRENT_LIST_DIR}/with-env.sh)
set(zaman_throwaway ${CMAKE_CURRENT_LIST_DIR}/throwaway.sh)

foreach(backend postgres mariadb)
  add_test(NAME db.${backend}.start
           COMMAND ${zaman_throwaway} start ${backend} ${ZAMAN_TEST_DB_DIR}/${backend})
  add_test(NAME db.${backend}.stop
           COMMAND ${zaman_throwaway} stop ${backend} ${ZAMAN_TEST_DB_DIR}/${backend})
  # `databases`: both servers, for tests that run on each (a single name
  # because gtest_discover_tests cannot pass a list property).
  set_tests_properties(db.${backend}.start PROPERTIES
                       FIXTURES_SETUP "${backend};databases" TIMEOUT 180 LABELS db)
  set_tests_properties(db.${backend}.stop PROPERTIES
                       FIXTURES_CLEANUP "${backend};databases" TIMEOUT 120 LABELS db)
endforeach()

# zaman_db_test_env(<test>... BACKENDS postgres mariadb): makes the tests
# require those fixtures and tells them where the env files are
# (ZAMAN_TEST_POSTGRES_ENV, ZAMAN_TEST_MYSQL_ENV).
function(zaman_db_test_env)
  cmake_parse_arguments(arg "" "" "BACKENDS" ${ARGN})
  set(env)
  foreach(backend ${arg_BACKENDS})
    if(backend STREQUAL "postgres")
      list(APPEND env "ZAMAN_TEST_POSTGRES_ENV=${ZAMAN_TEST_DB_DIR}/postgres/env")
    elseif(backend STREQUAL "mariadb")
      list(APPEND env "ZAMAN_TEST_MYSQL_ENV=${ZAMAN_TEST_DB_DIR}/mariadb/env")
    else()
      message(FATAL_ERROR "zaman_db_test_env: unknown backend ${backend}")
    endif()
  endforeach()
  set_property(TEST ${arg_UNPARSED_ARGUMENTS} APPEND PROPERTY FIXTURES_REQUIRED ${arg_BACKENDS})
  set_property(TEST ${arg_UNPARSED_ARGUMENTS} APPEND PROPERTY ENVIRONMENT ${env})
endfunction()
