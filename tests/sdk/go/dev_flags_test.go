// `zaman server start-dev` takes the reference dev server's
// --search-attribute flag (tests/run-sdk-test.sh passes DevFlagKeyword=Keyword):
// the attribute is registered in every namespace it serves.
package sdktest

import (
	"fmt"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
)

func TestStartDevRegistersSearchAttributeFlags(t *testing.T) {
	c := dial(t)
	for _, ns := range []string{"default", "sdk-extra"} {
		var got enumspb.IndexedValueType
		eventually(t, "the flag's search attribute is registered in "+ns, func() error {
			resp, err := c.OperatorService().ListSearchAttributes(waitCtx(t), &operatorservice.ListSearchAttributesRequest{Namespace: ns})
			if err != nil {
				return err
			}
			got = resp.GetCustomAttributes()["DevFlagKeyword"]
			if got == enumspb.INDEXED_VALUE_TYPE_UNSPECIFIED {
				return fmt.Errorf("not registered yet")
			}
			return nil
		})
		if got != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
			t.Fatalf("%s: DevFlagKeyword is %v, want Keyword", ns, got)
		}
	}
}
