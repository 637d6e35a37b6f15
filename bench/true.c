/* The floor: the cheapest static process there is. Also the "empty main"
 * size anchor, built for every target. */
int main(void)
{
	return 0;
}
