/*
 * tdx_tcb.h: Intel TCB Info and QE Identity (the signed JSON parts of the
 * DCAP collateral) as parsed structures, and the TCB evaluation of a TDX
 * quote against them: QE identity policy, platform TCB level from the
 * PCK leaf's SGX extension, TDX module identity, and Intel's status
 * convergence.
 *
 * Sources:
 *   - TCB Info v3 and Enclave Identity v2 JSON: Intel "SGX and TDX PCS
 *     API" (v4), as parsed by Intel's QVL
 *     Src/AttestationParsers/src/Json/TcbInfo.cpp and TcbLevel.cpp.
 *   - QE identity policy: Intel QVL Src/AttestationLibrary/src/Verifiers/
 *     EnclaveReportVerifier.cpp (4.1.2.9.5 - 4.1.2.9.10).
 *   - TCB level matching and convergence: Intel QVL
 *     Verifiers/Checks/TcbLevelCheck.cpp (matchTcbLevels,
 *     isTdxTcbHigherOrEqual, convergeTcbStatusWithQeTcbStatus),
 *     Checks/TdxModuleCheck.cpp (findTdxModuleIdentity,
 *     checkTdxModuleTcbStatus, convergeTcbStatusWithTdxModuleStatus),
 *     Checks/TDRelaunchCheck.cpp (checkForRelaunch) and
 *     Verifiers/QuoteVerifier.cpp (4.1.2.4.9 - 4.1.2.4.17).
 *
 * Where the peer (npm @phala/dcap-qvl 0.3.9, src/verify.js) differs
 * from these rules, tmon follows Intel;
 * each such place is marked "Intel, not the peer" in tdx_tcb.c.
 *
 * Everything here is pure: no I/O, no clock.  Parsed structures are
 * immutable after parsing and may be shared between threads.
 */
#ifndef TMON_VERIFY_TDX_TCB_H
#define TMON_VERIFY_TDX_TCB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tdx_quote.h"
#include "tmon_limits.h"

/*
 * TCB statuses.  The names are Intel's strings (tdx_tcb_status_str).
 * TDX_TCB_UNKNOWN (0) means "not determined": zeroed memory never reads
 * as UpToDate.
 */
enum tdx_tcb_status {
	TDX_TCB_UNKNOWN = 0,
	TDX_TCB_UP_TO_DATE,				/* "UpToDate" */
	TDX_TCB_SW_HARDENING_NEEDED,			/* "SWHardeningNeeded" */
	TDX_TCB_CONFIGURATION_NEEDED,			/* "ConfigurationNeeded" */
	TDX_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,	/* "ConfigurationAndSWHardeningNeeded" */
	TDX_TCB_OUT_OF_DATE,				/* "OutOfDate" */
	TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,	/* "OutOfDateConfigurationNeeded" */
	TDX_TCB_TD_RELAUNCH_ADVISED,			/* "TDRelaunchAdvised" */
	TDX_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED, /* "TDRelaunchAdvisedConfigurationNeeded" */
	TDX_TCB_REVOKED,				/* "Revoked" */
	TDX_TCB_NOT_SUPPORTED				/* no matching level */
};

/* Intel's name of s ("UpToDate", ...); "NotSupported", "Unknown". */
const char	*tdx_tcb_status_str(enum tdx_tcb_status s);

/*
 * An advisory id as served ("INTEL-SA-00837"), NUL-terminated.  Only
 * [A-Za-z0-9-] is accepted, so ids can be printed without escaping.
 */
struct tdx_advisory {
	char	id[MAX_ADVISORY_ID_LEN];
};

/* One entry of tcbInfo.tcbLevels. */
struct tdx_tcb_level {
	uint8_t			sgx_svn[16];	/* sgxtcbcomponents[i].svn */
	uint16_t		pcesvn;
	uint8_t			tdx_svn[16];	/* tdxtcbcomponents[i].svn */
	bool			has_tdx;	/* tdxtcbcomponents present */
	enum tdx_tcb_status	status;		/* tcbStatus */
	int64_t			tcb_date;	/* tcbDate, unix seconds */
	size_t			adv_off;	/* advisoryIDs: adv[adv_off..] */
	size_t			adv_n;
	size_t			served_index;	/* position in the JSON array */
};

/* One entry of a TDX module identity's (or the QE identity's) tcbLevels. */
struct tdx_isv_level {
	uint16_t		isvsvn;		/* tcb.isvsvn */
	enum tdx_tcb_status	status;
	int64_t			tcb_date;
	size_t			adv_off;
	size_t			adv_n;
};

/* tcbInfo.tdxModule, or one entry of tcbInfo.tdxModuleIdentities. */
struct tdx_module_identity {
	char			id[16];		/* "TDX_03"; "" for tdxModule */
	uint8_t			version;	/* the 03 of "TDX_03" */
	uint8_t			mrsigner[48];
	uint8_t			attributes[8];
	uint8_t			attributes_mask[8];
	struct tdx_isv_level	*levels;	/* identities only */
	size_t			n_levels;
	struct tdx_advisory	*adv;		/* pool for its levels */
	size_t			n_adv;
};

enum tdx_tcb_info_id {
	TDX_TCB_INFO_SGX = 1,		/* id "SGX" (or a v2 TCB Info) */
	TDX_TCB_INFO_TDX		/* id "TDX" */
};

/*
 * A parsed tcbInfo object (TCB Info v2 or v3; only v3 "TDX" can judge a
 * TDX quote).  levels[] is sorted the way Intel's QVL keeps them
 * (std::set<TcbLevel, std::greater>: SGX component SVNs, then PCESVN,
 * then TDX component SVNs, highest first), which is the order PCS
 * serves them in.
 */
struct tdx_tcb_info {
	enum tdx_tcb_info_id	id;
	unsigned		version;	/* 2 or 3 */
	int64_t			issue_date;	/* unix seconds */
	int64_t			next_update;
	uint8_t			fmspc[6];
	uint8_t			pceid[2];	/* as the PCK extension stores it */
	unsigned		tcb_type;	/* 0 */
	uint32_t		tcb_eval_num;	/* tcbEvaluationDataNumber */
	bool			has_module;	/* tdxModule present */
	struct tdx_module_identity module;
	struct tdx_module_identity *modules;	/* tdxModuleIdentities */
	size_t			n_modules;
	struct tdx_tcb_level	*levels;
	size_t			n_levels;
	struct tdx_advisory	*adv;		/* pool for every level */
	size_t			n_adv;
};

/*
 * A parsed enclaveIdentity object (Enclave Identity v2; id "TD_QE" for
 * TDX quotes, "QE" for SGX ones).
 */
struct tdx_qe_identity {
	char			id[8];		/* "TD_QE", "QE", "QVE" */
	unsigned		version;
	int64_t			issue_date;
	int64_t			next_update;
	uint32_t		tcb_eval_num;
	uint32_t		miscselect;	/* hex bytes read little-endian */
	uint32_t		miscselect_mask;
	uint8_t			attributes[16];
	uint8_t			attributes_mask[16];
	uint8_t			mrsigner[32];
	uint16_t		isvprodid;
	struct tdx_isv_level	*levels;	/* in served order */
	size_t			n_levels;
	struct tdx_advisory	*adv;
	size_t			n_adv;
};

/*
 * Parse the len bytes at json, the text of a tcbInfo object (the value that
 * the TCB Info signature covers), into a new *out (caller frees with
 * tdx_tcb_info_free).  Read with tjson_load() (a repeated key is an error;
 * errors name the JSON path); every field Intel's parser reads is required
 * and type checked; unknown keys are ignored (the signature covers them
 * anyway).  Checks: version 2 or 3; id "SGX" or "TDX" (v3); tcbType 0; fmspc
 * 12 and pceId 4 hex digits; dates RFC 3339 "YYYY-MM-DDTHH:MM:SSZ"; every
 * level has 16 SGX component SVNs (0..255), a PCESVN (0..65535), for TDX 16
 * TDX component SVNs, a known tcbStatus and advisory ids matching
 * [A-Za-z0-9-]; a TDX TCB Info has tdxModule (and tdxModuleIdentities, if
 * present, non-empty with ids "TDX_xx"); no two levels equal under Intel's
 * ordering.
 *
 * Returns TMON_OK, or TMON_E_PARSE (malformed; err names the field,
 * "duplicate object key" for repeated keys), TMON_E_LIMIT (len above
 * MAX_COLLATERAL_JSON, more than MAX_TCB_LEVELS levels,
 * MAX_TDX_MODULE_IDS identities, MAX_ADVISORY_IDS ids in a level, an id
 * longer than MAX_ADVISORY_ID_LEN - 1), TMON_E_UNSUPPORTED (version,
 * id or tcbType not one Intel defines).  On failure *out is NULL.
 */
enum tmon_rc	tdx_tcb_info_parse(const uint8_t *json, size_t len,
		    struct tdx_tcb_info **out, struct tmon_err *err);
void		tdx_tcb_info_free(struct tdx_tcb_info *ti);

/*
 * As tdx_tcb_info_parse for the text of an enclaveIdentity object (the
 * value the QE Identity signature covers).  Checks: version 2 (3 is
 * accepted too, as dcap-qvl does); id one of "QE", "QVE", "TD_QE";
 * miscselect/miscselectMask 8, attributes/attributesMask 32, mrsigner
 * 64 hex digits; isvprodid 0..65535; at least one tcbLevel, each with
 * isvsvn 0..65535 and a status in {UpToDate, OutOfDate, Revoked}
 * (Intel EnclaveIdentityV2).  Errors as tdx_tcb_info_parse.
 */
enum tmon_rc	tdx_qe_identity_parse(const uint8_t *json, size_t len,
		    struct tdx_qe_identity **out, struct tmon_err *err);
void		tdx_qe_identity_free(struct tdx_qe_identity *qi);

/*
 * The outcome of tdx_tcb_evaluate, also printed by tmonctl verify-quote.
 * verdict:
 *   TDX_TCB_OK        status determined and not Revoked/NotSupported
 *   TDX_TCB_BAD       the quote does not meet Intel's signed policy:
 *                     Revoked, no matching level, QE identity or TDX
 *                     module identity mismatch (a check failure)
 *   TDX_TCB_CANNOT    the collateral cannot judge this quote: FMSPC or
 *                     PCE-ID mismatch, TCB Info not a v3 "TDX" one, QE
 *                     identity not "TD_QE" (couldn't check, not a fail)
 */
enum tdx_tcb_verdict {
	TDX_TCB_CANNOT = 0,
	TDX_TCB_BAD,
	TDX_TCB_OK
};

struct tdx_tcb_result {
	enum tdx_tcb_verdict	verdict;
	enum tdx_tcb_status	status;		/* converged */
	char			why[MAX_CHECK_DETAIL];	/* BAD/CANNOT: reason */
	/* advisory ids: platform level, TDX module level, QE level, union */
	struct tdx_advisory	advisory[MAX_TCB_RESULT_ADVISORIES];
	size_t			n_advisory;
	bool			advisory_truncated;
	/* what matched */
	uint32_t		tcb_eval_num;
	int			sgx_level;	/* index into levels, -1 none */
	enum tdx_tcb_status	sgx_status;
	int			tdx_level;	/* index into levels, -1 none */
	enum tdx_tcb_status	tdx_status;
	int64_t			tcb_date;	/* tcbDate of the TDX level */
	char			module_id[16];	/* "TDX_03", "" if [1] == 0 */
	enum tdx_tcb_status	module_status;	/* UpToDate when [1] == 0 */
	enum tdx_tcb_status	qe_status;
	uint16_t		qe_isvsvn;
	bool			relaunch_checked; /* TD15: TEE_TCB_SVN2 */
	bool			sgx;		/* judged as an SGX v3 quote */
};

/*
 * Judge the quote q against ti and qi (Intel QuoteVerifier.cpp
 * 4.1.2.4.9 - 4.1.2.4.17):
 * TCB Info id/version and FMSPC/PCE-ID against q->pck (which must be
 * filled: q->pck_ok), TDX module identity (MRSIGNERSEAM,
 * SEAMATTRIBUTES), QE identity (id, MRSIGNER, ISVPRODID, MISCSELECT and
 * ATTRIBUTES under their masks, QE ISVSVN level), platform level
 * (matchTcbLevels), TDX module level, TD relaunch (TD15), and the
 * convergence of the three statuses.  For an SGX quote v3
 * (tdx_quote_parse_any) Intel's SGX path instead: TCB Info "SGX", QE
 * Identity "QE", the first level matching the PCK's SGX TCB, converged
 * with the QE status (TcbLevelCheck.cpp checkTcbLevel, !isTdx).
 * Always fills *out.
 */
void	tdx_tcb_evaluate(const struct tdx_quote *q,
	    const struct tdx_tcb_info *ti, const struct tdx_qe_identity *qi,
	    struct tdx_tcb_result *out);

/*
 * Parse an RFC 3339 UTC time of exactly the form "YYYY-MM-DDTHH:MM:SSZ"
 * (what PCS serves) into unix seconds.  Returns false on anything else
 * (other forms, out-of-range fields, years before 1970 or after 9999).
 */
bool	tdx_parse_time(const char *s, int64_t *out);


#endif /* TMON_VERIFY_TDX_TCB_H */
