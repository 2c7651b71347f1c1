/* placeholder: the simulated provider is being written (issue 5) */
#include <stdio.h>

int main(void);

int
main(void)
{
	fprintf(stderr, "tmon-sim: not built yet\n");
	return 2;
}
