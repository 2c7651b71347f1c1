/* placeholder, replaced by the real module */
typedef int tmon_placeholder_api_t;
