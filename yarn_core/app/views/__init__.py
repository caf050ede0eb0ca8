"""One view module per page, named by the page's stem: the page's settings in, Plotly figures and
the numbers its text quotes out. Views hold the maths the page needs; they never draw widgets."""
